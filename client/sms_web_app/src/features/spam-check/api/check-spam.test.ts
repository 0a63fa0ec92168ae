import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { MESSAGES, MODELS, PROXY, testConfig } from '../../../testing/fixtures';
import { server } from '../../../testing/server';
import { checkSpam, featureVector } from './check-spam';

const PREDICTION = {
  prediction: { ham: 0.1, spam: 0.9 },
  top: { label: 'spam', value: 0.9 },
  from_cache: false,
};

describe('checkSpam', () => {
  it('architecture I sends the text to text_to_prediction', async () => {
    let sent: unknown;
    server.use(
      http.post(`${MODELS}/model/v1/text_to_prediction`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json(PREDICTION);
      }),
    );
    const verdict = await checkSpam(testConfig(), MESSAGES[1]);
    expect(sent).toEqual({ text: MESSAGES[1].sms_text });
    expect(verdict).toEqual({ label: 'spam', probability: 0.9, spamProbability: 0.9 });
  });

  it('architecture II reads online features, then asks features_to_prediction', async () => {
    let asked: unknown;
    let features: unknown;
    server.use(
      http.post(`${PROXY}/get-online-features`, async ({ request }) => {
        asked = await request.json();
        // Columns come back in any order: the app must map them by name.
        return HttpResponse.json({
          metadata: { feature_names: ['features', 'sms_id'] },
          results: [
            { values: [[5, 8, 13, 0]], statuses: ['PRESENT'] },
            { values: [MESSAGES[1].sms_id], statuses: ['PRESENT'] },
          ],
        });
      }),
      http.post(`${MODELS}/model/v3/features_to_prediction`, async ({ request }) => {
        features = await request.json();
        return HttpResponse.json(PREDICTION);
      }),
    );
    const config = testConfig({ VITE_ARCHITECTURE: 'II', VITE_MODEL_VERSION: 'v3' });
    const verdict = await checkSpam(config, MESSAGES[1]);
    expect(asked).toEqual({
      features: ['sms_features2:features'],
      entities: { sms_id: [MESSAGES[1].sms_id] },
    });
    expect(features).toEqual({ features: [5, 8, 13, 0] });
    expect(verdict.label).toBe('spam');
  });

  it('architecture II explains a message without features', async () => {
    server.use(
      http.post(`${PROXY}/get-online-features`, () =>
        HttpResponse.json({
          metadata: { feature_names: ['sms_id', 'features'] },
          results: [
            { values: [MESSAGES[0].sms_id], statuses: ['PRESENT'] },
            { values: [null], statuses: ['NOT_FOUND'] },
          ],
        }),
      ),
    );
    const config = testConfig({ VITE_ARCHITECTURE: 'II' });
    await expect(checkSpam(config, MESSAGES[0])).rejects.toThrow('No features for this message yet');
  });
});

describe('featureVector', () => {
  it('concatenates scalar features in the requested order', () => {
    const answer = {
      metadata: { feature_names: ['sms_id', 'nal_r', 'cap_r'] },
      results: [{ values: ['x'] }, { values: [0.2] }, { values: [0.5] }],
    };
    expect(featureVector(answer, ['sms_features1:cap_r', 'sms_features1:nal_r'])).toEqual([0.5, 0.2]);
  });
});
