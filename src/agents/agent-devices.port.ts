/**
 * Where an agent's calls ring (their device: a sip: URI, an E.164 number or user:<name>), as the
 * calls service asks it (bound to AgentsService in app.module): the admin API's setting, else
 * the tenant's YAML seed, else undefined.
 */
export abstract class AgentDevices {
  abstract deviceOf(tenantId: string, agentId: string): Promise<string | undefined>;
}
