/** The parts of @jambonz/node-client (untyped) the gateway uses. */
declare module '@jambonz/node-client' {
  interface RestEntity {
    create(opts: Record<string, unknown>): Promise<string>;
    update(sid: string, opts: Record<string, unknown>): Promise<void>;
    /** `PUT {baseUrl}/v1/{path}` with a JSON body, unchecked (a bent request: throws with `statusCode` unless 200, 202 or 204). */
    put(path: string, body: Record<string, unknown>): Promise<unknown>;
  }
  interface JambonzClient {
    calls: RestEntity;
    messages: RestEntity;
  }
  function jambonz(accountSid: string, apiKey: string, opts: { baseUrl: string }): JambonzClient;
  export = jambonz;
}
