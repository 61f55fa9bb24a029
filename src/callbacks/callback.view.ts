import type { CallbackTask } from './domain/callback-task';

/**
 * A callback task as the API shows it: the task without its tenant and bookkeeping time (masked
 * for agents like every answer: the number follows the tenant's masking).
 */
export type CallbackView = Omit<CallbackTask, 'tenantId' | 'updatedAt'>;

export function callbackView(task: CallbackTask): CallbackView {
  const { tenantId: _t, updatedAt: _u, ...view } = task;
  return view;
}
