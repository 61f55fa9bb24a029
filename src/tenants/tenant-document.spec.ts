import { applyPatch, documentFromSeed, POLICY_NAMES, readDocument, toSettings, type TenantDocument } from './tenant-document';

const DEFAULTS = { region: 'US', agentEndpoints: ['user:*'], ringTimeoutSeconds: 30 };

describe('a tenant’s stored document', () => {
  const seeded = documentFromSeed({ id: 'acme', doNotCall: ['+14155550123'], maxComposeLength: 160, voiceProvider: 'twilio' }, DEFAULTS);

  it('starts from the seed, with the configuration’s defaults where the seed says nothing', () => {
    expect(seeded).toMatchObject({ name: 'acme', defaultRegion: 'US', smsProvider: null, voiceProvider: 'twilio' });
    expect(seeded.policies).toMatchObject({ doNotCall: ['+14155550123'], maxComposeLength: 160, agentEndpoints: ['user:*'], ringTimeoutSeconds: 30, recordCalls: 'off' });
    expect(Object.keys(seeded.policies).sort()).toEqual([...POLICY_NAMES].sort());
  });

  it.each<[string, string, (d: TenantDocument) => unknown, unknown]>([
    ['a policy stored before the gateway knew it takes its default', '{"name":"x","policies":{"requireConsent":true}}', (d) => [d.policies.requireConsent, d.policies.stickyDays], [true, 7]],
    ['a policy the gateway no longer knows is dropped', '{"name":"x","policies":{"gone":1}}', (d) => 'gone' in d.policies, false],
    ['a null policy takes its default', '{"name":"x","policies":{"maxComposeLength":null}}', (d) => d.policies.maxComposeLength, 1600],
    ['no region: the configuration’s', '{"name":"x"}', (d) => d.defaultRegion, 'US'],
    ['round trip', JSON.stringify(seeded), (d) => d, seeded],
    ['no inbound call settings (stored before they were policies): the built-in defaults', '{"name":"x"}', (d) => [d.policies.ringNoAnswerSeconds, d.policies.queueTimeoutSeconds, d.policies.holdMusicUrl], [20, 0, null]],
    ['no failover lists (stored before failover): none', '{"name":"x","smsProvider":"telnyx"}', (d) => [d.smsProvider, d.smsProviders, d.voiceProviders], ['telnyx', [], []]],
  ])('reads back: %s', (_name, json, pick, expected) => {
    expect(pick(readDocument(json, DEFAULTS))).toEqual(expected);
  });

  it('reads a document stored before the inbound policies with the tenant’s configured inbound settings, which a stored value beats', () => {
    const configured = { ...DEFAULTS, inbound: { ringNoAnswerSeconds: 5, holdMusicUrl: 'https://media.example/hold.mp3' } };
    expect(readDocument('{"name":"x"}', configured).policies).toMatchObject({ ringNoAnswerSeconds: 5, holdMusicUrl: 'https://media.example/hold.mp3', queueTimeoutSeconds: 0 });
    expect(readDocument('{"name":"x","policies":{"ringNoAnswerSeconds":30}}', configured).policies.ringNoAnswerSeconds).toBe(30);
    const patched = applyPatch(readDocument('{"name":"x"}', configured), { policies: { holdMusicUrl: null, inboundGreeting: 'Hello.' } });
    expect(patched.changed).toEqual(['policies.inboundGreeting', 'policies.holdMusicUrl']);
    expect(toSettings('x', patched.document, [], 2)).toMatchObject({ ringNoAnswerSeconds: 5, holdMusicUrl: null, inboundGreeting: 'Hello.' });
  });

  it.each<[string, Parameters<typeof applyPatch>[1], string[]]>([
    ['nothing', {}, []],
    ['the same values', { name: 'acme', voiceProvider: 'twilio', policies: { maxComposeLength: 160, doNotCall: ['+14155550123'] } }, []],
    ['a name', { name: 'Acme Ltd' }, ['name']],
    ['a provider back to the default', { voiceProvider: null }, ['voiceProvider']],
    ['a list, whole', { policies: { doNotCall: ['+14155550123', '+14155550124'] } }, ['policies.doNotCall']],
    ['two policies and a region', { defaultRegion: 'GB', policies: { requireConsent: true, recordCalls: 'always' } }, ['defaultRegion', 'policies.requireConsent', 'policies.recordCalls']],
  ])('a patch of %s changes what differs', (_name, patch, changed) => {
    const result = applyPatch(seeded, patch);
    expect(result.changed).toEqual(changed);
    if (changed.length === 0) expect(result.document).toEqual(seeded);
  });

  it('never changes the document it patches', () => {
    const before = JSON.stringify(seeded);
    const { document } = applyPatch(seeded, { policies: { doNotCall: ['+14155550999'], maxComposeLength: 10 } });
    expect(JSON.stringify(seeded)).toBe(before);
    expect(document.policies.doNotCall).toEqual(['+14155550999']);
  });

  it('becomes the settings the gateway reads, numbers with their providers', () => {
    const settings = toSettings('acme', seeded, [{ number: '+14155550100', provider: 'twilio' }, { number: '+14155550101', provider: null }], 4);
    expect(settings).toMatchObject({ id: 'acme', numbers: ['+14155550100', '+14155550101'], voiceProvider: 'twilio', smsProvider: undefined, maxComposeLength: 160, version: 4 });
    expect(settings.doNotCall.has('+14155550123')).toBe(true);
    expect([...settings.numberProviders!]).toEqual([['+14155550100', 'twilio']]);
  });

  it.each<[string, Parameters<typeof documentFromSeed>[0], { sms?: string; smsList: string[]; voice?: string }]>([
    ['a single provider is a one-element list', { id: 'a', smsProvider: 'telnyx' }, { sms: 'telnyx', smsList: [] }],
    ['a failover list names the primary', { id: 'a', smsProviders: ['twilio', 'telnyx'] }, { sms: 'twilio', smsList: ['twilio', 'telnyx'] }],
    ['the list wins over the single provider', { id: 'a', smsProvider: 'simulator', smsProviders: ['telnyx', 'twilio'] }, { sms: 'telnyx', smsList: ['telnyx', 'twilio'] }],
    ['voice the same way', { id: 'a', voiceProviders: ['twilio', 'jambonz'] }, { voice: 'twilio', smsList: [] }],
  ])('failover lists: %s', (_name, seed, expected) => {
    const settings = toSettings('a', documentFromSeed(seed, DEFAULTS), [], 1);
    expect({ sms: settings.smsProvider, smsList: settings.smsProviders, voice: settings.voiceProvider }).toEqual(expected);
  });

  it('patches a failover list as a whole, and reports it changed only when it did', () => {
    const listed = applyPatch(seeded, { smsProviders: ['twilio', 'telnyx'] });
    expect([listed.document.smsProviders, listed.changed]).toEqual([['twilio', 'telnyx'], ['smsProviders']]);
    expect(applyPatch(listed.document, { smsProviders: ['twilio', 'telnyx'] }).changed).toEqual([]);
    expect(applyPatch(listed.document, { smsProviders: [] }).document.smsProviders).toEqual([]);
  });
});
