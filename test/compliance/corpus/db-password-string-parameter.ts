import * as ssm from 'aws-cdk-lib/aws-ssm';
import { CorpusApp } from './corpus-app';

/** The database password in a plain String parameter: in the template, never encrypted. */
export const dbPasswordStringParameter: CorpusApp = {
  name: 'DbPasswordStringParameter',
  mistake: '`db-password` in an SSM `String` parameter',
  correct: false,
  build: stack => {
    new ssm.StringParameter(stack, 'DbPassword', { parameterName: '/orders/db-password', stringValue: 'change-me-0rders!' });
  },
};
