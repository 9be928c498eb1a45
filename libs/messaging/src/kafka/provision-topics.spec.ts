import { dlqTopicFor, Topics } from '@lienthong/contracts';
import { topicConfigFor } from './provision-topics';

describe('topicConfigFor', () => {
  it('maps a spec to the Kafka topic configs it owns', () => {
    expect(topicConfigFor(Topics.identityFacilityV1)).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    expect(topicConfigFor(dlqTopicFor(Topics.identityFacilityV1))).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': String(30 * 24 * 3600 * 1000) });
  });
});
