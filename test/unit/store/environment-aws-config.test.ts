import { describe, expect, it } from 'vitest';
import { environmentAwsConfig } from '../../../functions/store/environment-aws-config.js';
import { serviceEndpoint } from '../../../functions/store/signed-aws-request.js';

describe('environmentAwsConfig: what signed calls use, read from the environment as an SDK client reads it', () => {
  it('takes the region from AWS_REGION (not AWS_DEFAULT_REGION, which the SDK v3 does not read either)', async () => {
    expect(await environmentAwsConfig({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-2' }).region()).toBe(
      'eu-west-1',
    );
    await expect(environmentAwsConfig({ AWS_DEFAULT_REGION: 'us-east-2' }).region()).rejects.toThrow(/AWS_REGION/);
  });

  it('refuses a call without a region, naming the variable', async () => {
    await expect(environmentAwsConfig({}).region()).rejects.toThrow(/AWS_REGION/);
  });

  it('makes 3 attempts of a call unless AWS_MAX_ATTEMPTS says otherwise', async () => {
    expect(await environmentAwsConfig({ AWS_REGION: 'eu-west-1' }).maxAttempts()).toBe(3);
    expect(await environmentAwsConfig({ AWS_REGION: 'eu-west-1', AWS_MAX_ATTEMPTS: '5' }).maxAttempts()).toBe(5);
  });

  it('refuses an AWS_MAX_ATTEMPTS that is not a whole number of at least 1, naming it', () => {
    for (const value of ['0', '-1', '2.5', 'many']) {
      expect(() => environmentAwsConfig({ AWS_MAX_ATTEMPTS: value })).toThrow(/AWS_MAX_ATTEMPTS/);
    }
  });

  it('reads the credentials of the environment first, as Lambda provides them', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    delete process.env.AWS_PROFILE;
    try {
      const credentials = await environmentAwsConfig({ AWS_REGION: 'eu-west-1' }).credentials();
      expect(credentials).toMatchObject({
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'secret',
        sessionToken: 'token',
      });
    } finally {
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('hashes with SHA-256 (and HMAC-SHA-256 given a key), as the signer needs', async () => {
    const { sha256 } = environmentAwsConfig({ AWS_REGION: 'eu-west-1' });
    const hash = new sha256();
    hash.update('abc');
    expect(Buffer.from(await hash.digest()).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const hmac = new sha256('key');
    hmac.update('The quick brown fox jumps over the lazy dog');
    expect(Buffer.from(await hmac.digest()).toString('hex')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });
});

describe('serviceEndpoint: where a signed call goes', () => {
  it('prefers the service’s own variable, then AWS_ENDPOINT_URL, then the regional endpoint', () => {
    const environment = { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
    expect(serviceEndpoint('DYNAMODB', 'dynamodb', 'eu-west-1', environment)).toBe('http://127.0.0.1:8000');
    expect(serviceEndpoint('DYNAMODB', 'dynamodb', 'eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' })).toBe(
      'http://127.0.0.1:9',
    );
    expect(serviceEndpoint('DYNAMODB', 'dynamodb', 'eu-west-1', {})).toBe('https://dynamodb.eu-west-1.amazonaws.com');
  });

  it('uses the China partition’s domain in its regions', () => {
    expect(serviceEndpoint('DYNAMODB', 'dynamodb', 'cn-north-1', {})).toBe(
      'https://dynamodb.cn-north-1.amazonaws.com.cn',
    );
  });
});
