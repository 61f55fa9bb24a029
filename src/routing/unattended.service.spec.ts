import { aContact, aConversation, memoryUnitOfWork, type MemoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import { aTenant, quietLogger, tenantsOf } from '../../test/support/service-doubles';
import type { AppConfig } from '../config/config.schema';
import type { Conversation } from '../conversations/domain/conversation';
import type { TenantSettings } from '../tenants/tenant';
import { UnattendedSweeper } from './unattended.service';

describe('UnattendedSweeper', () => {
  let uow: MemoryUnitOfWork;
  const config = { routing: { unattendedSweepMs: 1000 } } as AppConfig;
  const sweeper = (...tenants: TenantSettings[]) => new UnattendedSweeper(uow, tenantsOf(...tenants), config, quietLogger());
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

  beforeEach(() => { uow = memoryUnitOfWork(); });

  async function queued(fields: Partial<Conversation>, tenantId = 'acme'): Promise<string> {
    const contact = aContact({ tenantId, phone: null });
    uow.state.contacts.set(contact.id, contact);
    const conversation = aConversation(contact, { agentId: null, ...fields });
    await uow.direct.conversations.insert(conversation);
    return conversation.id;
  }

  it('announces a conversation queued past the tenant\'s limit once, whatever the number of sweeps or instances', async () => {
    const id = await queued({ createdAt: ago(300) });
    await queued({ createdAt: ago(10) });

    await sweeper(aTenant({ unattendedAlertSeconds: 120 })).sweep();
    await sweeper(aTenant({ unattendedAlertSeconds: 120 })).sweep();

    const alerts = uow.emitted('conversation.unattended');
    expect(alerts).toEqual([expect.objectContaining({ conversationId: id, agentId: null, data: expect.objectContaining({ alertSeconds: 120 }) })]);
    expect(alerts[0]!.data.waitedSeconds).toBeGreaterThanOrEqual(300);
  });

  it('leaves alone tenants with alerts off, assigned and closed conversations', async () => {
    await queued({ createdAt: ago(300) }, 'quiet');
    await queued({ createdAt: ago(300), agentId: 'alice' });
    await queued({ createdAt: ago(300), status: 'closed' });

    await sweeper(aTenant({ id: 'quiet', unattendedAlertSeconds: 0 }), aTenant()).sweep();

    expect(uow.emitted()).toEqual([]);
  });
});
