import { PROVIDERS } from '../providers/providers';
import type { AnyProviderDescriptor } from '../providers/provider-descriptor';

/** Which providers record and stream a call's audio, and why the others cannot (the 422's reason). */
describe('media capabilities of the voice providers', () => {
  const of = (name: string) => (PROVIDERS as readonly AnyProviderDescriptor[]).find((p) => p.name === name)!.capabilities!;

  it.each(['simulator', 'twilio', 'jambonz'])('%s records and streams', (name) => {
    expect([of(name).record, of(name).liveAudio]).toEqual([true, true]);
  });

  it('SIP says rtpengine is needed', () => {
    expect(of('sip').record).toMatch(/rtpengine/);
    expect(of('sip').liveAudio).toMatch(/rtpengine/);
  });
});
