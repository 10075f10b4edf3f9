import { describeScenarioShard } from '../helpers/scenario-shard';

describeScenarioShard(0, 2);
