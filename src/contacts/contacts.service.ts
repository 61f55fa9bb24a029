import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { Page, PageQuery } from '../common/http/paging';
import { nowIso } from '../common/ids';
import { ConversationsService } from '../conversations/conversations.service';
import { TimelineService, type ActivityView } from '../conversations/timeline/timeline.service';
import { isUniqueViolation } from '../storage/store';
import { TenantsService } from '../tenants/tenants.service';
import { UnitOfWork, type ContactsStore } from '../unit-of-work/unit-of-work';
import { contactView, type ContactView } from './contact.view';
import type { PatchContactDto } from './dto/contact-input.dto';
import { requirePhone } from './phone-input';

@Injectable()
export class ContactsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantsService,
    private readonly conversations: ConversationsService,
    private readonly timeline: TimelineService,
  ) {}

  async get(principal: Principal, id: string): Promise<ContactView> {
    const contact = await this.uow.direct.contacts.findById(principal.tenantId, id);
    if (!contact) throw DomainError.notFound('contact');
    return contactView(contact);
  }

  /** The contacts with this phone number (none or one), the number read in the tenant's region. */
  async lookupByPhone(principal: Principal, phone: string): Promise<{ items: ContactView[] }> {
    const e164 = requirePhone('phone', phone, this.tenants.get(principal.tenantId).defaultRegion);
    const found = await this.uow.direct.contacts.findByKeys(principal.tenantId, { phone: e164 });
    return { items: found ? [contactView(found)] : [] };
  }

  async patch(principal: Principal, id: string, input: PatchContactDto): Promise<ContactView> {
    const region = this.tenants.get(principal.tenantId).defaultRegion;
    const changes: Parameters<ContactsStore['update']>[2] = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.externalId !== undefined) changes.externalId = input.externalId;
    if (input.email !== undefined) changes.email = input.email === null ? null : input.email.toLowerCase();
    if (input.phone !== undefined) changes.phone = input.phone === null ? null : requirePhone('phone', input.phone, region);
    const repo = this.uow.direct.contacts;
    if (!(await repo.findById(principal.tenantId, id))) throw DomainError.notFound('contact');
    if (Object.keys(changes).length > 0) {
      try {
        await repo.update(principal.tenantId, id, { ...changes, updatedAt: nowIso() });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new DomainError(ErrorCode.Conflict, 'another contact of this tenant already has that phone, email or externalId');
      }
    }
    return this.get(principal, id);
  }

  /**
   * Every conversation of the contact, most recently active first, with its interactions, the
   * channels it used, a preview of its last message and the link to its timeline.
   */
  async activities(principal: Principal, id: string, query: PageQuery): Promise<Page<ActivityView>> {
    await this.get(principal, id);
    return this.timeline.activities(principal.tenantId, await this.conversations.list(principal, { ...query, contactId: id }));
  }
}
