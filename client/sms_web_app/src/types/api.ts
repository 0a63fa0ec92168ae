// Shapes the services answer with that more than one feature reads.

/** One message of a user's inbox, as the user-data API returns it. */
export interface Sms {
  sms_id: string;
  user_id: string;
  sender_id: string;
  sms_text: string;
  date_sent: string;
}
