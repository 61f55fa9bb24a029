/** The parts of @jambonz/node-client (untyped) the gateway uses. */
declare module '@jambonz/node-client' {
  interface RestEntity {
    create(opts: Record<string, unknown>): Promise<string>;
    update(sid: string, opts: Record<string, unknown>): Promise<void>;
  }
  interface JambonzClient {
    calls: RestEntity;
    messages: RestEntity;
  }
  function jambonz(accountSid: string, apiKey: string, opts: { baseUrl: string }): JambonzClient;
  export = jambonz;
}
