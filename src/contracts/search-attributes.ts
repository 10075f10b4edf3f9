/**
 * The search attributes that let `agent-fanout list` find runs through Temporal visibility. The
 * client sets all of them when it starts a run; the workflow updates status and units done as
 * units finish and when it ends. A server must know them first: the dev server registers them
 * at start (`src/dev/dev-server.ts`), a deployment in `deploy/temporal/create-namespace.sh`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const FANOUT_PLAN = defineSearchAttributeKey('FanoutPlan', SearchAttributeType.KEYWORD);
export const FANOUT_REPO = defineSearchAttributeKey('FanoutRepo', SearchAttributeType.KEYWORD);
/** `running`, then the run's end: `succeeded`, `failed` or `cancelled`. */
export const FANOUT_STATUS = defineSearchAttributeKey('FanoutStatus', SearchAttributeType.KEYWORD);
export const FANOUT_UNITS_DONE = defineSearchAttributeKey('FanoutUnitsDone', SearchAttributeType.INT);
export const FANOUT_UNITS_TOTAL = defineSearchAttributeKey('FanoutUnitsTotal', SearchAttributeType.INT);

/** `Name=Type` as `temporal server start-dev --search-attribute` and `temporal operator search-attribute create` take them. */
export const FANOUT_SEARCH_ATTRIBUTES: readonly string[] = [
  'FanoutPlan=Keyword',
  'FanoutRepo=Keyword',
  'FanoutStatus=Keyword',
  'FanoutUnitsDone=Int',
  'FanoutUnitsTotal=Int',
];
