import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, Reflector } from '@nestjs/core';
import type { Logger } from 'pino';
import { AppConfig } from './config/config.schema';
import { JwtAuthGuard } from './common/auth/jwt-auth.guard';
import { JwtService } from './common/auth/jwt.service';
import { ProblemFilter } from './common/errors/problem.filter';
import { TENANT_LOOKUP } from './common/auth/tenant-lookup';
import { RateLimiter } from './common/rate-limit/rate-limiter';
import { isStoreUnavailable } from './storage/store';
import { LOGGER } from './common/logging/logger.token';
import { ContactsController } from './contacts/contacts.controller';
import { ContactsService } from './contacts/contacts.service';
import { ConversationsController } from './conversations/conversations.controller';
import { ConversationsService } from './conversations/conversations.service';
import { TimelineController } from './conversations/timeline/timeline.controller';
import { TimelineService } from './conversations/timeline/timeline.service';
import { AgentsController } from './routing/agents.controller';
import { AssignmentController } from './routing/assignment.controller';
import { AssignmentService } from './routing/assignment.service';
import { InboundRouter } from './routing/inbound-router.service';
import { PresenceService } from './routing/presence.service';
import { UnattendedSweeper } from './routing/unattended.service';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { BootSummaryService } from './operations/boot-summary.service';
import { IdempotencyService } from './idempotency/idempotency.service';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { StorageModule } from './storage/storage.module';
import { EventDispatcher } from './events/event-dispatcher.service';
import { EventOutbox } from './events/event-outbox.service';
import { EventSubscriptions } from './events/event-subscriptions.service';
import { EventsGateway } from './events/events.gateway';
import { EVENT_FANOUT } from './events/fanout/event-fanout';
import { MemoryFanout } from './events/fanout/memory.fanout';
import { RedisFanout } from './events/fanout/redis.fanout';
import { TenantsService } from './tenants/tenants.service';
import { TenantAdminController } from './tenants/admin/tenant-admin.controller';
import { TenantAdminService } from './tenants/admin/tenant-admin.service';
import { ApiKeysController } from './tenants/api-keys/api-keys.controller';
import { ApiKeysService } from './tenants/api-keys/api-keys.service';
import { CredentialsSealer } from './tenants/provider-credentials/credentials-sealer';
import { ProviderCredentialsController } from './tenants/provider-credentials/provider-credentials.controller';
import { ProviderCredentialsService } from './tenants/provider-credentials/provider-credentials.service';
import { TenantAccounts } from './providers/tenant-accounts.port';
import { KyselyUnitOfWork } from './unit-of-work/kysely-unit-of-work';
import { UnitOfWork } from './unit-of-work/unit-of-work';
import { CallsController } from './calls/calls.controller';
import { ConsoleController } from './console/console.controller';
import { MeController } from './console/me.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { CallsService } from './calls/calls.service';
import { ParticipantsController } from './calls/participants/participants.controller';
import { ParticipantsService } from './calls/participants/participants.service';
import { HandoverController } from './conversations/handover/handover.controller';
import { ConversationAgentsController } from './conversations/agents/conversation-agents.controller';
import { ConversationAgentsService } from './conversations/agents/conversation-agents.service';
import { HandoverService } from './conversations/handover/handover.service';
import { ParticipantCallbackReceiver } from './providers/voice-participants.port';
import { AttachmentsController } from './messaging/attachments.controller';
import { InboundMessagingService } from './messaging/inbound-messaging.service';
import { MessagesController } from './messaging/messages.controller';
import { OutboundMessagingService } from './messaging/outbound-messaging.service';
import { SimulatorController } from './messaging/simulator.controller';
import { SimulatorMessagingService } from './messaging/simulator-messaging.service';
import { APP_CONFIG } from './config/app-config.token';
import { ProviderRegistry } from './providers/provider.registry';
import { PROVIDERS } from './providers/providers';
import type { AnyProviderDescriptor } from './providers/provider-descriptor';
import { ProvidersLifecycle } from './providers/providers.lifecycle';
import { InboundSmsReceiver, SmsStatusReceiver } from './providers/sms-provider.port';
import { CallCallbackReceiver, VoiceAdapters } from './providers/voice-provider.port';
import { CallbackUrls } from './providers/callbacks/callback-urls';
import { CallAudioSinks, RecordingReportReceiver } from './providers/call-media.port';
import { AudioGateway } from './media/audio.gateway';
import { AudioHub } from './media/audio-hub';
import { MediaLifecycle } from './media/media-lifecycle.service';
import { RecordingsController } from './media/recordings.controller';
import { AudioStreamsController } from './media/streams/audio-streams.controller';
import { AudioStreamsService } from './media/streams/audio-streams.service';
import { StreamSigner } from './media/streams/stream-signing';
import { RecordingsService } from './media/recordings.service';
import { LocalDiskRecordingStorage } from './media/storage/local-disk.storage';
import { RecordingStorage } from './media/storage/recording-storage.port';
import { AgentDevices } from './agents/agent-devices.port';
import { AgentDevicesController } from './agents/agent-devices.controller';
import { AgentsService } from './agents/agents.service';
import { InboundCallsController } from './calls/inbound/inbound-calls.controller';
import { InboundCallsService } from './calls/inbound/inbound-calls.service';
import { RingNoAnswerSweeper } from './calls/inbound/ring-no-answer.sweeper';
import { QueueTimeoutSweeper } from './calls/inbound/queue-timeout.sweeper';
import { SimulatedInboundCallsService } from './calls/inbound/simulated-inbound-calls.service';
import { InboundCallReceiver } from './providers/inbound-call.port';
import { QueueChoiceReceiver } from './providers/queue-choice.port';
import { CallbacksController } from './callbacks/callbacks.controller';
import { CallbacksService } from './callbacks/callbacks.service';
import { QueueChoiceService } from './calls/inbound/queue-choice.service';

/** Each provider's webhook controllers and what they need injected, as its descriptor lists them. */
const WEBHOOKS = (PROVIDERS as readonly AnyProviderDescriptor[]).map((provider) => provider.webhooks);

@Module({})
export class AppModule {
  /** The whole gateway for one validated configuration. */
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [StorageModule.forRoot()],
      controllers: [
        RecordingsController, AudioStreamsController, ConversationsController, TimelineController, ContactsController, MessagesController, CallsController, ParticipantsController, HandoverController, ConversationAgentsController, AttachmentsController, SimulatorController,
        ...WEBHOOKS.flatMap((webhooks) => webhooks?.controllers ?? []), HealthController, MetricsController, ConsoleController, OpenApiController,
        AssignmentController, AgentsController, AgentDevicesController, InboundCallsController, CallbacksController, MeController, TenantAdminController, ApiKeysController, ProviderCredentialsController,
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: JwtService, useFactory: () => new JwtService(config.auth.jwtSecret) },
        // common/ pieces get what they need from features here, so common/ imports no feature.
        {
          provide: JwtAuthGuard,
          inject: [Reflector, JwtService, TenantsService, ApiKeysService],
          useFactory: (reflector: Reflector, jwt: JwtService, tenants: TenantsService, apiKeys: ApiKeysService) =>
            new JwtAuthGuard(reflector, jwt, tenants, new RateLimiter(config.rateLimits.apiPerSecond, config.rateLimits.apiBurst), apiKeys),
        },
        { provide: APP_GUARD, useExisting: JwtAuthGuard },
        // For the answers' masking (bootstrap.ts, common/masking/masked-answers.ts).
        { provide: TENANT_LOOKUP, useExisting: TenantsService },
        {
          provide: EVENT_FANOUT,
          useFactory: () => (config.redis.url ? new RedisFanout(config.redis.url, logger.child({ component: 'redis' })) : new MemoryFanout()),
        },
        EventOutbox,
        { provide: UnitOfWork, useClass: KyselyUnitOfWork },
        EventDispatcher,
        EventSubscriptions,
        EventsGateway,
        ProviderRegistry,
        OutboundMessagingService,
        InboundMessagingService,
        PresenceService,
        InboundRouter,
        AssignmentService,
        UnattendedSweeper,
        SimulatorMessagingService,
        CallsService,
        ParticipantsService,
        HandoverService,
        ConversationAgentsService,
        TimelineService,
        { provide: CallbackUrls, useFactory: () => new CallbackUrls(config.http.publicBaseUrl, config.auth.jwtSecret) },
        ...WEBHOOKS.flatMap((webhooks) => webhooks?.providers ?? []),
        // The ports the providers' webhooks and lifecycle use, bound to the services behind them.
        { provide: APP_CONFIG, useExisting: AppConfig },
        { provide: InboundSmsReceiver, useExisting: InboundMessagingService },
        { provide: SmsStatusReceiver, useExisting: OutboundMessagingService },
        { provide: CallCallbackReceiver, useExisting: CallsService },
        AgentsService,
        { provide: AgentDevices, useExisting: AgentsService },
        InboundCallsService,
        SimulatedInboundCallsService,
        RingNoAnswerSweeper,
        QueueTimeoutSweeper,
        { provide: InboundCallReceiver, useExisting: InboundCallsService },
        CallbacksService,
        QueueChoiceService,
        { provide: QueueChoiceReceiver, useExisting: QueueChoiceService },
        { provide: ParticipantCallbackReceiver, useExisting: ParticipantsService },
        { provide: VoiceAdapters, useExisting: ProviderRegistry },
        ProvidersLifecycle,
        // Media (src/media): recordings, the live audio hub and socket.
        { provide: RecordingStorage, useFactory: () => new LocalDiskRecordingStorage(config.media.recordingsDir) },
        AudioHub,
        { provide: CallAudioSinks, useExisting: AudioHub },
        RecordingsService,
        { provide: RecordingReportReceiver, useExisting: RecordingsService },
        MediaLifecycle,
        AudioGateway,
        { provide: StreamSigner, useFactory: () => new StreamSigner(config.http.publicBaseUrl, config.auth.jwtSecret) },
        AudioStreamsService,
        { provide: APP_FILTER, useFactory: () => new ProblemFilter(logger, isStoreUnavailable) },
        TenantsService,
        TenantAdminService,
        ApiKeysService,
        // Tenants' own provider accounts: sealed with CREDENTIALS_KEY, opened by the tenants service for the registry and webhook guards.
        { provide: CredentialsSealer, useFactory: () => new CredentialsSealer(config) },
        { provide: TenantAccounts, useExisting: TenantsService },
        ProviderCredentialsService,
        ConversationsService,
        ContactsService,
        IdempotencyService,
        HealthService,
        BootSummaryService,
        MetricsService,
      ],
      exports: [AppConfig, LOGGER],
    };
  }
}
