/**
 * The short activities that read and write files on the worker host (summary, run store, a
 * retry's evidence check): bounded retries, since a host-side error is worth a few more tries.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';

export const hostActivities = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5m',
  retry: { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '10s' },
});
