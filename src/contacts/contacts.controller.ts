import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import { Roles } from '../common/auth/roles.decorator';
import type { Principal } from '../common/auth/principal';
import { PageQuery, type Page } from '../common/http/paging';
import type { ActivityView } from '../conversations/timeline/timeline.service';
import type { ContactView } from './contact.view';
import { ContactsService } from './contacts.service';
import { ContactLookupQuery, PatchContactDto } from './dto/contact-input.dto';

@Controller('v1/contacts')
@Roles('agent', 'supervisor', 'admin')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  /** Lookup by phone: `{ items: [contact] }`, or `{ items: [] }` when nobody has that number. */
  @Get()
  lookup(@CurrentPrincipal() principal: Principal, @Query() query: ContactLookupQuery): Promise<{ items: ContactView[] }> {
    return this.contacts.lookupByPhone(principal, query.phone);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ContactView> {
    return this.contacts.get(principal, id);
  }

  @Patch(':id')
  patch(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: PatchContactDto): Promise<ContactView> {
    return this.contacts.patch(principal, id, body);
  }

  @Get(':id/activities')
  activities(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: PageQuery): Promise<Page<ActivityView>> {
    return this.contacts.activities(principal, id, query);
  }
}
