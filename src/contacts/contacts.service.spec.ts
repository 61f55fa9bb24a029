import { aContact, memoryUnitOfWork, type MemoryUnitOfWork } from '../../test/support/memory-unit-of-work';
import { aPrincipal, aTenant, tenantsOf } from '../../test/support/service-doubles';
import { ErrorCode } from '../common/errors/domain-error';
import type { ConversationsService } from '../conversations/conversations.service';
import type { TimelineService } from '../conversations/timeline/timeline.service';
import { ContactsService } from './contacts.service';

describe('ContactsService', () => {
  let uow: MemoryUnitOfWork;
  let service: ContactsService;
  const principal = aPrincipal();

  beforeEach(() => {
    uow = memoryUnitOfWork();
    service = new ContactsService(uow, tenantsOf(aTenant()), {} as ConversationsService, {} as TimelineService);
  });

  it('patches only the fields given, normalised (phone to E.164, e-mail to lower case), and moves updatedAt', async () => {
    const contact = aContact({ name: 'Ada', phone: '+14155550100', email: 'ada@example.com' });
    uow.state.contacts.set(contact.id, contact);

    const view = await service.patch(principal, contact.id, { phone: '(415) 555-0199', email: 'ADA@Example.COM' });

    expect(view).toMatchObject({ name: 'Ada', phone: '+14155550199', email: 'ada@example.com' });
    expect(view.updatedAt).not.toBe(contact.updatedAt);
  });

  it("refuses a phone another contact of the tenant has (409) and keeps the contact as it was", async () => {
    const ada = aContact({ phone: '+14155550100' });
    const bob = aContact({ phone: '+14155550101' });
    uow.state.contacts.set(ada.id, ada);
    uow.state.contacts.set(bob.id, bob);

    await expect(service.patch(principal, ada.id, { phone: '+14155550101' })).rejects.toMatchObject({ code: ErrorCode.Conflict });
    expect(uow.state.contacts.get(ada.id)).toEqual(ada);
  });

  it("answers another tenant's contact and an unknown one with 404", async () => {
    const theirs = aContact({ tenantId: 'other' });
    uow.state.contacts.set(theirs.id, theirs);
    await expect(service.get(principal, theirs.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(service.patch(principal, 'nope', { name: 'X' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('looks a contact up by phone in the tenant\'s region', async () => {
    const ada = aContact({ phone: '+14155550100' });
    uow.state.contacts.set(ada.id, ada);
    expect((await service.lookupByPhone(principal, '415-555-0100')).items.map((c) => c.id)).toEqual([ada.id]);
    expect((await service.lookupByPhone(principal, '415-555-0199')).items).toEqual([]);
  });
});
