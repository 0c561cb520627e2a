import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CopyOptions, SnapshotApi } from './snapshot-api';
import { addServiceRetries, FailurePath, SdkTask } from './workflow';

/**
 * Copies a snapshot under a key, idempotently: a second run for the same snapshot finds the copy
 * the first made instead of making another. Named copies (RDS, Aurora) get a name derived from the
 * source and the workflow (`share-<sha1>`), and "already exists" means "reuse it"; EBS copies are
 * found by their tags (`copy-of` the source, made by this workflow). Continues to `next` with the
 * copy's id in `$.copyResult.id`. Never exported from the package.
 */
export function copyStates(scope: Construct, api: SnapshotApi, options: Omit<CopyOptions, 'targetNameExpression'>,
  failure: FailurePath, next: sfn.IChainable, prefix: string = ''): sfn.IChainable {
  if (api.namedCopies) {
    const seed = options.madeBy.replace(/['{}\\]/g, '');
    const name = new sfn.Pass(scope, `${prefix}NameCopy`, {
      parameters: { 'name.$': `States.Format('share-{}', States.Hash(States.Format('{}|${seed}', ${options.sourcePath}), 'SHA-1'))` },
      resultPath: '$.copyName',
    });
    const copy = new SdkTask(scope, `${prefix}CopySnapshot`, api.copy({ ...options, targetNameExpression: '$.copyName.name' }), {
      resultSelector: { 'id.$': api.copyIdResult },
      resultPath: '$.copyResult',
    });
    addServiceRetries(copy, api, { quota: true });
    const exists = new sfn.Pass(scope, `${prefix}CopyExists`, { parameters: { 'id.$': '$.copyName.name' }, resultPath: '$.copyResult' });
    exists.next(next);
    copy.addCatch(exists, { errors: api.alreadyExistsErrors, resultPath: '$.copyExistsError' });
    failure.catchAll(copy);
    copy.next(next);
    name.next(copy);
    return name;
  }
  const find = new SdkTask(scope, `${prefix}FindCopy`, api.findCopies!(options.sourcePath, options.madeBy), {
    resultSelector: { 'Snapshots.$': `$.${api.fields.list}`, 'Count.$': `States.ArrayLength($.${api.fields.list})` },
    resultPath: '$.found',
  });
  addServiceRetries(find, api);
  failure.catchAll(find);
  const copy = new SdkTask(scope, `${prefix}CopySnapshot`, api.copy(options), {
    resultSelector: { 'id.$': api.copyIdResult },
    resultPath: '$.copyResult',
  });
  addServiceRetries(copy, api, { quota: true });
  failure.catchAll(copy);
  copy.next(next);
  const reuse = new sfn.Pass(scope, `${prefix}ReuseCopy`, { parameters: { 'id.$': `$.found.Snapshots[0].${api.fields.id}` }, resultPath: '$.copyResult' });
  reuse.next(next);
  find.next(new sfn.Choice(scope, `${prefix}CopyMadeBefore?`)
    .when(sfn.Condition.numberGreaterThan('$.found.Count', 0), reuse)
    .otherwise(copy));
  return find;
}
