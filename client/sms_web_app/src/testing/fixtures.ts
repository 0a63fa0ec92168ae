import { parseConfig, type AppConfig } from '../config/env';
import type { Sms } from '../types/api';

export const USER_DATA = 'http://users.test';
export const MODELS = 'http://models.test';
export const PROXY = 'http://proxy.test';

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return parseConfig({
    VITE_USER_DATA_API_URL: USER_DATA,
    VITE_MODEL_SERVING_API_URL: MODELS,
    VITE_FEATURE_PROXY_URL: PROXY,
    VITE_REQUEST_TIMEOUT_MS: '500',
    ...overrides,
  });
}

export const MESSAGES: Sms[] = [
  {
    sms_id: '0cdffe00-49c2-11e9-9f6f-852f2d605689',
    user_id: 'fiona',
    sender_id: 'otto',
    sms_text: 'Did you see the match?',
    date_sent: '2019-03-18T21:09:00Z',
  },
  {
    sms_id: '49370400-470d-11e9-8448-d3e2da37953a',
    user_id: 'fiona',
    sender_id: '83355',
    sms_text: 'FREE entry to win a weekend away! Txt NOW',
    date_sent: '2019-03-15T10:30:00Z',
  },
];
