import { describe, expect, it } from 'vitest';

import { ConfigError, parseConfig } from './env';

describe('parseConfig', () => {
  it('fills in the documented defaults', () => {
    expect(parseConfig({})).toEqual({
      modelVersion: 'v1',
      architecture: 'I',
      userDataUrl: 'http://localhost:8111',
      modelServingUrl: 'http://localhost:8000',
      featureProxyUrl: 'http://localhost:8999',
      onlineFeatures: ['sms_features2:features'],
      requestTimeoutMs: 8000,
    });
  });

  it('takes architecture II, other services and trims trailing slashes', () => {
    const config = parseConfig({
      VITE_MODEL_VERSION: 'v3',
      VITE_ARCHITECTURE: 'II',
      VITE_MODEL_SERVING_API_URL: 'https://models.example.org/',
    });
    expect(config.architecture).toBe('II');
    expect(config.modelVersion).toBe('v3');
    expect(config.modelServingUrl).toBe('https://models.example.org');
  });

  it('names every bad value at once', () => {
    try {
      parseConfig({
        VITE_ARCHITECTURE: 'III',
        VITE_USER_DATA_API_URL: 'localhost:8111',
        VITE_MODEL_VERSION: 'latest',
        VITE_REQUEST_TIMEOUT_MS: '-1',
        VITE_ONLINE_FEATURES: 'features',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['ARCHITECTURE', 'USER_DATA_API_URL', 'MODEL_VERSION', 'TIMEOUT', 'ONLINE_FEATURES']) {
        expect(problems).toContain(name);
      }
    }
  });
});
