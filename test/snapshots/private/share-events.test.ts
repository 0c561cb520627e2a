import { Stack } from 'aws-cdk-lib';
import { busArn, defaultBusName } from '../../../src/snapshots/private/share-events';

test('bus names and ARNs of both sides', () => {
  expect(defaultBusName('AURORA_CLUSTER')).toBe('cdk-kms-patterns-snapshot-share-aurora-cluster');
  expect(new Stack().resolve(busArn('222222222222', 'eu-west-1', 'b'))).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:222222222222:event-bus/b']] });
});
