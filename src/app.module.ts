import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import { AppConfig } from './config/config.schema';
import { JwtAuthGuard } from './common/auth/jwt-auth.guard';
import { JwtService } from './common/auth/jwt.service';
import { ProblemFilter } from './common/errors/problem.filter';
import { MaskingInterceptor } from './common/masking/masking.interceptor';
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
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
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
import { CallsController } from './calls/calls.controller';
import { ConsoleController } from './console/console.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { CallsService } from './calls/calls.service';
import { AttachmentsController } from './messaging/attachments.controller';
import { InboundMessagingService } from './messaging/inbound-messaging.service';
import { MessagesController } from './messaging/messages.controller';
import { OutboundMessagingService } from './messaging/outbound-messaging.service';
import { SimulatorController } from './messaging/simulator.controller';
import { SimulatorMessagingService } from './messaging/simulator-messaging.service';
import { JambonzSignatureGuard } from './providers/jambonz/jambonz-signature.guard';
import { JambonzWebhooksController } from './providers/jambonz/jambonz.webhooks.controller';
import { ProviderRegistry } from './providers/provider.registry';
import { TwilioSignatureGuard } from './providers/twilio/twilio-signature.guard';
import { CallbackUrls } from './providers/callbacks/callback-urls';
import { TwilioWebhooksController } from './providers/twilio/twilio.webhooks.controller';

@Module({})
export class AppModule {
  /** The whole gateway for one validated configuration. */
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [StorageModule.forRoot()],
      controllers: [
        ConversationsController, TimelineController, ContactsController, MessagesController, CallsController, AttachmentsController, SimulatorController,
        TwilioWebhooksController, JambonzWebhooksController, HealthController, MetricsController, ConsoleController, OpenApiController,
        AssignmentController, AgentsController,
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: JwtService, useFactory: () => new JwtService(config.auth.jwtSecret) },
        JwtAuthGuard,
        { provide: APP_GUARD, useExisting: JwtAuthGuard },
        { provide: APP_INTERCEPTOR, useClass: MaskingInterceptor },
        {
          provide: EVENT_FANOUT,
          useFactory: () => (config.redis.url ? new RedisFanout(config.redis.url, logger.child({ component: 'redis' })) : new MemoryFanout()),
        },
        EventOutbox,
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
        TimelineService,
        TwilioSignatureGuard,
        { provide: CallbackUrls, useFactory: () => new CallbackUrls(config.http.publicBaseUrl, config.auth.jwtSecret) },
        JambonzSignatureGuard,
        { provide: APP_FILTER, useFactory: () => new ProblemFilter(logger) },
        TenantsService,
        ConversationsService,
        ContactsService,
        IdempotencyService,
        IdempotencyInterceptor,
        HealthService,
        MetricsService,
      ],
      exports: [AppConfig, LOGGER],
    };
  }
}
