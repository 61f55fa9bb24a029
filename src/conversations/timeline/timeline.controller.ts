import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentPrincipal } from '../../common/auth/auth.decorators';
import { Roles } from '../../common/auth/roles.decorator';
import type { Principal } from '../../common/auth/principal';
import { PageQuery, type Page } from '../../common/http/paging';
import type { TimelineItem } from '../domain/timeline';
import { TimelineService } from './timeline.service';

@Controller('v1/conversations')
@Roles('agent', 'supervisor', 'admin')
export class TimelineController {
  constructor(private readonly timeline: TimelineService) {}

  /** Everything that happened in the conversation, oldest first, paged by `cursor`. */
  @Get(':id/timeline')
  page(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: PageQuery): Promise<Page<TimelineItem>> {
    return this.timeline.page(principal, id, query);
  }
}
