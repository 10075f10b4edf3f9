import { describeScenarioShard } from '../helpers/scenario-shard';

describeScenarioShard(1, 2);
