import { SnapshotType } from '../../../src/snapshots/snapshot-type';
import { runStateMachine, taskError } from '../../harness/state-machine';
import { FakeAws } from '../fake-aws';
import { CONTEXT } from '../share-run';
import { shareWorld, SOURCE_ACCOUNT } from '../share-world';

const world = shareWorld(SnapshotType.EBS);

describe('workflow building blocks', () => {
  test('retries: throttling with full jitter and a 60 s cap; quotas longer', () => {
    // EC2 errors are all Ec2.Ec2Exception in Step Functions (EC2's model declares no errors): no quota retrier.
    expect(world.sourceDefinition.States.CopySnapshot.Retry).toEqual([
      { ErrorEquals: ['Ec2.Ec2Exception', 'Ec2.SdkClientException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' },
    ]);
    expect(shareWorld(SnapshotType.RDS_DB).sourceDefinition.States.CopySnapshot.Retry).toEqual([
      { ErrorEquals: ['Rds.SnapshotQuotaExceededException'], IntervalSeconds: 60, MaxAttempts: 10, BackoffRate: 1.5, MaxDelaySeconds: 900, JitterStrategy: 'FULL' },
      { ErrorEquals: ['Rds.RdsException', 'Rds.SdkClientException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' },
    ]);
  });

  test('a failure notification that cannot be sent still ends in the Failed state with the original error', async () => {
    const fake = new FakeAws();
    const handlers = fake.handlers(world.sourceDefinition, SOURCE_ACCOUNT, {
      NotifyFailure: () => {
        throw taskError('SNS.AuthorizationErrorException', 'no publish');
      },
    });
    const run = await runStateMachine(world.sourceDefinition, { input: { snapshotId: 'snap-0000000000000beef' }, taskHandlers: handlers, context: CONTEXT });
    expect(run).toMatchObject({ status: 'FAILED', error: 'SnapshotNotFound' });
    expect(run.visitedStates.slice(-2)).toEqual(['NotifyFailure', 'Failed']);
  });
});
