import type { AppConfig } from '../../../config/env';
import { requestJson } from '../../../lib/api-client';
import type { Sms } from '../../../types/api';

export interface InboxPage {
  user_id: string;
  messages: Sms[];
  next_page_token?: string;
}

export function getInbox(config: AppConfig, userId: string, pageToken?: string): Promise<InboxPage> {
  const query = pageToken ? `?page_token=${encodeURIComponent(pageToken)}` : '';
  return requestJson<InboxPage>(
    `${config.userDataUrl}/sms/${encodeURIComponent(userId)}${query}`,
    { service: 'user-data service', timeoutMs: config.requestTimeoutMs },
  );
}
