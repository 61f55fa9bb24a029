import { ConversationsRepository } from '../conversations/conversations.repository';
import type { Selectable } from 'kysely';
import type { CallsTable } from '../storage/schema';
import type { Executor } from '../storage/store';
import type { Call, CallDetails } from './domain/call';
import { parseAttempts } from '../failover/domain/failover';
import { parseFailure } from '../failover/domain/provider-failure';

/** A call is an interaction row plus a calls row; this repository keeps both. */
export class CallsRepository {
  private readonly interactions: ConversationsRepository;

  constructor(private readonly db: Executor) {
    this.interactions = new ConversationsRepository(db);
  }

  async insert(call: Call): Promise<void> {
    await this.interactions.insertInteraction(call.tenantId, call.interaction);
    await this.db.insertInto('calls').values({ interactionId: call.interaction.id, tenantId: call.tenantId, ...toRow(call.details) }).execute();
  }

  async update(call: Call): Promise<void> {
    await this.interactions.updateInteraction(call.tenantId, call.interaction);
    await this.db.updateTable('calls').set(toRow(call.details)).where('interactionId', '=', call.interaction.id).execute();
  }

  async find(tenantId: string, id: string): Promise<Call | undefined> {
    const interaction = await this.interactions.findInteraction(tenantId, id);
    if (!interaction || interaction.channel !== 'voice') return undefined;
    return this.withDetails(tenantId, interaction);
  }

  /** Claims the dialling of the call's agent: true for the first caller only, however many race. */
  async claimAgentDial(id: string, at: string): Promise<boolean> {
    const result = await this.db.updateTable('calls').set({ agentDialledAt: at })
      .where('interactionId', '=', id).where('agentDialledAt', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** By our id or the provider's reference, whatever the tenant (provider callbacks). */
  async findForCallback(id: string | undefined, providerRef: string | undefined): Promise<Call | undefined> {
    const found = await this.interactions.findInteractionForCallback('voice', id, providerRef);
    return found && this.withDetails(found.tenantId, found.interaction);
  }

  /** The calls rows of these interactions (of one tenant), by interaction id. */
  async detailsOf(tenantId: string, interactionIds: string[]): Promise<Map<string, CallDetails>> {
    if (interactionIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('calls').selectAll()
      .where('tenantId', '=', tenantId).where('interactionId', 'in', interactionIds).execute();
    return new Map(rows.map((row) => [row.interactionId, toDetails(row)]));
  }

  private async withDetails(tenantId: string, interaction: Call['interaction']): Promise<Call | undefined> {
    const row = await this.db.selectFrom('calls').selectAll().where('interactionId', '=', interaction.id).executeTakeFirst();
    if (!row) return undefined;
    return { tenantId, interaction, details: toDetails(row) };
  }
}

function toDetails(row: Selectable<CallsTable>): CallDetails {
  return {
    agentEndpoint: row.agentEndpoint, callerId: row.callerId, muted: Boolean(row.muted), answeredAt: row.answeredAt,
    consent: row.consentVia ? { via: row.consentVia, at: row.consentAt! } : null,
    refs: JSON.parse(row.refs) as Record<string, string>,
    attempts: parseAttempts(row.attempts), failure: parseFailure(row.failure),
  };
}

function toRow(d: CallDetails) {
  return {
    agentEndpoint: d.agentEndpoint, callerId: d.callerId, muted: d.muted ? 1 : 0, answeredAt: d.answeredAt,
    consentVia: d.consent?.via ?? null, consentAt: d.consent?.at ?? null, refs: JSON.stringify(d.refs),
    attempts: d.attempts && d.attempts.length > 0 ? JSON.stringify(d.attempts) : null,
    failure: d.failure ? JSON.stringify(d.failure) : null,
  };
}
