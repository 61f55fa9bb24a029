import type twilio from 'twilio';
import { HANGUP_TWIML, TwilioVoiceProvider } from './twilio.voice';

const CALL = { callId: 'c1', tenantId: 'acme', agentEndpoint: 'sip:1001@pbx.example', callerId: '+14155550100' };

function fakeClient(fail = false) {
  const created: Array<{ conference: string; params: Record<string, unknown> }> = [];
  const client = {
    conferences: (conference: string) => ({
      participants: {
        create: async (params: Record<string, unknown>) => {
          if (fail) throw Object.assign(new Error('busy'), { code: 21220 });
          created.push({ conference, params });
          return {};
        },
      },
    }),
  } as unknown as twilio.Twilio;
  return { client, created };
}

describe('TwilioVoiceProvider.answerTwiml (the answer hook of a placed call)', () => {
  it('hangs up the leg of a call that is not live (unknown, over, or another provider’s) and claims nothing', async () => {
    const { client, created } = fakeClient();
    const claim = jest.fn(async () => true);
    expect(await new TwilioVoiceProvider(client).answerTwiml(undefined, claim)).toBe(HANGUP_TWIML);
    expect(claim).not.toHaveBeenCalled();
    expect(created).toEqual([]);
  });

  it('dials the agent into the conference on the first fetch, then answers with the join TwiML', async () => {
    const { client, created } = fakeClient();
    const provider = new TwilioVoiceProvider(client);
    const twiml = await provider.answerTwiml(CALL, async (id) => id === 'c1');
    expect(created).toEqual([{ conference: 'call-c1', params: expect.objectContaining({ from: CALL.callerId, to: CALL.agentEndpoint, label: 'agent' }) }]);
    expect(twiml).toBe(provider.joinTwiml('c1'));
  });

  it('a replayed fetch (claim lost) gets the same TwiML and never dials the agent again', async () => {
    const { client, created } = fakeClient();
    const provider = new TwilioVoiceProvider(client);
    expect(await provider.answerTwiml(CALL, async () => false)).toBe(provider.joinTwiml('c1'));
    expect(created).toEqual([]);
  });

  it('hangs the customer up when the agent cannot be added', async () => {
    const { client } = fakeClient(true);
    expect(await new TwilioVoiceProvider(client).answerTwiml(CALL, async () => true)).toBe(HANGUP_TWIML);
  });
});
