/**
 * The spam check of one message, in either architecture:
 *
 * - I: the text goes to the model API's text_to_prediction;
 * - II: the message's features are read from the online store through the feature-server
 *   proxy, then sent to features_to_prediction.
 */

import type { AppConfig } from '../../../config/env';
import { ApiError, requestJson } from '../../../lib/api-client';
import type { Sms } from '../../../types/api';

export interface Verdict {
  label: string;
  probability: number;
  spamProbability?: number;
}

interface PredictionResult {
  prediction: Record<string, number>;
  top: { label: string; value: number };
  from_cache: boolean;
}

interface OnlineFeatures {
  metadata: { feature_names: string[] };
  results: { values: unknown[]; statuses?: string[] }[];
}

const MODEL_SERVICE = 'model-serving service';
const PROXY_SERVICE = 'feature-server proxy';

function toVerdict(result: PredictionResult): Verdict {
  return {
    label: result.top.label,
    probability: result.top.value,
    spamProbability: result.prediction.spam,
  };
}

/** The model's input from an online-features answer, whatever order its columns come in. */
export function featureVector(answer: OnlineFeatures, refs: string[]): unknown[] {
  const names = answer.metadata.feature_names;
  return refs.flatMap((ref) => {
    const name = ref.split(':')[1];
    const column = names.indexOf(name);
    const result = column >= 0 ? answer.results[column] : undefined;
    const status = result?.statuses?.[0];
    if (!result || result.values[0] == null || (status !== undefined && status !== 'PRESENT')) {
      throw new ApiError('http', `No features for this message yet (${ref}).`, PROXY_SERVICE, 404);
    }
    const value = result.values[0];
    return Array.isArray(value) ? value : [value];
  });
}

export async function checkSpam(config: AppConfig, sms: Sms): Promise<Verdict> {
  const model = `${config.modelServingUrl}/model/${config.modelVersion}`;
  if (config.architecture === 'I') {
    const result = await requestJson<PredictionResult>(`${model}/text_to_prediction`, {
      service: MODEL_SERVICE,
      timeoutMs: config.requestTimeoutMs,
      method: 'POST',
      body: { text: sms.sms_text },
    });
    return toVerdict(result);
  }
  const answer = await requestJson<OnlineFeatures>(`${config.featureProxyUrl}/get-online-features`, {
    service: PROXY_SERVICE,
    timeoutMs: config.requestTimeoutMs,
    method: 'POST',
    body: { features: config.onlineFeatures, entities: { sms_id: [sms.sms_id] } },
  });
  const result = await requestJson<PredictionResult>(`${model}/features_to_prediction`, {
    service: MODEL_SERVICE,
    timeoutMs: config.requestTimeoutMs,
    method: 'POST',
    body: { features: featureVector(answer, config.onlineFeatures) },
  });
  return toVerdict(result);
}
