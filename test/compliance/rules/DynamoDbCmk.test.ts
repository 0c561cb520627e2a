import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { findings, newStack, severity } from './rule-test-support';

const partitionKey = { name: 'id', type: dynamodb.AttributeType.STRING };

describe('KmsChecks-DynamoDbCmk', () => {
  test('the default (AWS owned) and AWS managed encryption (error)', () => {
    const stack = newStack();
    new dynamodb.Table(stack, 'Owned', { partitionKey });
    new dynamodb.Table(stack, 'Managed', { partitionKey, encryption: dynamodb.TableEncryption.AWS_MANAGED });
    expect(findings(stack, 'DynamoDbCmk')).toEqual(['KmsChecks-DynamoDbCmk', 'KmsChecks-DynamoDbCmk']);
    expect(severity(stack, 'DynamoDbCmk')).toBe('error');
  });

  test('a table under a CMK passes', () => {
    const stack = newStack();
    new dynamodb.Table(stack, 'Table', { partitionKey, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    expect(findings(stack, 'DynamoDbCmk')).toEqual([]);
  });
});
