import { Inject, Injectable } from '@nestjs/common';
import { AgentsRepository } from '../agents/agents.repository';
import { CallbackTasksRepository } from '../callbacks/callbacks.repository';
import { CallsRepository } from '../calls/calls.repository';
import { ParticipantsRepository } from '../calls/participants/participants.repository';
import { InboundCallsRepository } from '../calls/inbound/inbound-calls.repository';
import { ContactsRepository } from '../contacts/contacts.repository';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { ConversationAgentsRepository } from '../conversations/agents/conversation-agents.repository';
import { TimelineRepository } from '../conversations/timeline/timeline.repository';
import { EventOutbox, type Outbox } from '../events/event-outbox.service';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { MessagesRepository } from '../messaging/messages.repository';
import { SimulatorMediaRepository } from '../messaging/simulator-media.repository';
import { RecordingsRepository } from '../media/recordings.repository';
import { PresenceRepository } from '../routing/presence.repository';
import type { DatabaseHandle } from '../storage/database';
import { DATABASE } from '../storage/storage.module';
import type { Executor } from '../storage/store';
import { TenantsRepository } from '../tenants/tenants.repository';
import { ApiKeysRepository } from '../tenants/api-keys/api-keys.repository';
import { ProviderCredentialsRepository } from '../tenants/provider-credentials/provider-credentials.repository';
import { UnitOfWork, type Repositories, type Work } from './unit-of-work';

/**
 * The repositories of one executor, each built on first use: a unit touching two of them builds
 * two, not nine.
 */
class KyselyRepositories implements Repositories {
  private readonly built: { -readonly [K in keyof Repositories]?: Repositories[K] } = {};

  constructor(private readonly db: Executor) {}

  get calls() { return (this.built.calls ??= new CallsRepository(this.db)); }
  get contacts() { return (this.built.contacts ??= new ContactsRepository(this.db)); }
  get conversations() { return (this.built.conversations ??= new ConversationsRepository(this.db)); }
  get messages() { return (this.built.messages ??= new MessagesRepository(this.db)); }
  get timeline() { return (this.built.timeline ??= new TimelineRepository(this.db)); }
  get presence() { return (this.built.presence ??= new PresenceRepository(this.db)); }
  get tenants() { return (this.built.tenants ??= new TenantsRepository(this.db)); }
  get idempotency() { return (this.built.idempotency ??= new IdempotencyRepository(this.db)); }
  get simulatorMedia() { return (this.built.simulatorMedia ??= new SimulatorMediaRepository(this.db)); }
  get recordings() { return (this.built.recordings ??= new RecordingsRepository(this.db)); }
  get participants() { return (this.built.participants ??= new ParticipantsRepository(this.db)); }
  get agents() { return (this.built.agents ??= new AgentsRepository(this.db)); }
  get inboundCalls() { return (this.built.inboundCalls ??= new InboundCallsRepository(this.db)); }
  get callbackTasks() { return (this.built.callbackTasks ??= new CallbackTasksRepository(this.db)); }
  get conversationAgents() { return (this.built.conversationAgents ??= new ConversationAgentsRepository(this.db)); }
  get apiKeys() { return (this.built.apiKeys ??= new ApiKeysRepository(this.db)); }
  get providerCredentials() { return (this.built.providerCredentials ??= new ProviderCredentialsRepository(this.db)); }
}

class KyselyWork extends KyselyRepositories implements Work {
  readonly emit: Work['emit'];

  constructor(tx: Executor, outbox: Outbox) {
    super(tx);
    this.emit = outbox.append.bind(outbox);
  }
}

/** The unit of work over Kysely: the outbox's transaction (group commit on SQLite, retried races on PostgreSQL). */
@Injectable()
export class KyselyUnitOfWork extends UnitOfWork {
  readonly direct: Repositories;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly outbox: EventOutbox,
  ) {
    super();
    this.direct = new KyselyRepositories(database.db);
  }

  run<T>(work: (w: Work) => Promise<T>): Promise<T> {
    return this.outbox.transaction((tx, outbox) => work(new KyselyWork(tx, outbox)));
  }

  snapshot<T>(read: (r: Repositories) => Promise<T>): Promise<T> {
    return this.database.db.transaction().execute((tx) => read(new KyselyRepositories(tx)));
  }
}
