"""Sample inboxes for the tutorial: a few users, everyday messages and some spam, in 2019.

Every message here was written for this project. Each has a fixed date and a seed, so its
TIMEUUID is always the same and loading the samples twice changes nothing.
"""

from datetime import UTC, datetime

# (user, sender, sent at (UTC), text)
SAMPLE_MESSAGES: list[tuple[str, str, datetime, str]] = [
    (
        "fiona",
        "max",
        datetime(2019, 3, 2, 8, 14, tzinfo=UTC),
        "Morning! Are we still on for the climbing wall on Saturday?",
    ),
    (
        "fiona",
        "+447700900321",
        datetime(2019, 3, 4, 19, 2, tzinfo=UTC),
        "CONGRATULATIONS! Your number won a £2000 shopping voucher. "
        "Call 09061 701 444 now to claim, T&Cs apply.",
    ),
    (
        "fiona",
        "mum",
        datetime(2019, 3, 9, 12, 40, tzinfo=UTC),
        "Dad fixed the bike. Come and pick it up whenever suits you, love mum x",
    ),
    (
        "fiona",
        "ellen",
        datetime(2019, 3, 11, 17, 55, tzinfo=UTC),
        "Running ten minutes late, save me a seat near the window",
    ),
    (
        "fiona",
        "83355",
        datetime(2019, 3, 15, 10, 30, tzinfo=UTC),
        "FREE entry to win a weekend in Paris! Txt PARIS to 83355 now. 18+ only, £1.50/msg",
    ),
    (
        "fiona",
        "otto",
        datetime(2019, 3, 18, 21, 9, tzinfo=UTC),
        "Did you see the match? What a finish",
    ),
    (
        "max",
        "fiona",
        datetime(2019, 3, 2, 8, 20, tzinfo=UTC),
        "Yes! 10am at the wall, I'll bring the spare chalk bag",
    ),
    (
        "max",
        "+447700900555",
        datetime(2019, 4, 1, 14, 0, tzinfo=UTC),
        "URGENT: your account will be suspended. Verify your details at www.secure-verify-now.com "
        "within 24 hours.",
    ),
    (
        "max",
        "gran",
        datetime(2019, 4, 6, 9, 45, tzinfo=UTC),
        "Thank you for the flowers, they brighten up the whole kitchen",
    ),
    (
        "max",
        "channelboost",
        datetime(2019, 4, 12, 16, 25, tzinfo=UTC),
        "Hey check out my channel, new video every day!! Subscribe and share please",
    ),
    (
        "max",
        "ellen",
        datetime(2019, 4, 20, 18, 5, tzinfo=UTC),
        "Can you send me the photos from the trip when you get a chance?",
    ),
    (
        "ellen",
        "otto",
        datetime(2019, 5, 3, 7, 50, tzinfo=UTC),
        "Train cancelled again, I'll work from home today",
    ),
    (
        "ellen",
        "88066",
        datetime(2019, 5, 5, 13, 15, tzinfo=UTC),
        "You have been selected for a FREE mobile upgrade! Reply YES to 88066 to claim yours today",
    ),
    (
        "ellen",
        "fiona",
        datetime(2019, 5, 7, 20, 30, tzinfo=UTC),
        "Book club moved to Thursday, same place",
    ),
    (
        "ellen",
        "dentist",
        datetime(2019, 5, 10, 9, 0, tzinfo=UTC),
        "Reminder: your appointment is on 14 May at 11:30. Reply C to cancel.",
    ),
    (
        "ellen",
        "+447700900777",
        datetime(2019, 5, 22, 23, 40, tzinfo=UTC),
        "Make £500 a day from home!!! Visit www.easy-money-online.biz and start earning now",
    ),
    (
        "otto",
        "ellen",
        datetime(2019, 6, 1, 11, 10, tzinfo=UTC),
        "Lunch at the new ramen place? My treat this time",
    ),
    (
        "otto",
        "promo",
        datetime(2019, 6, 3, 15, 35, tzinfo=UTC),
        "WINNER!! You are our lucky customer, claim your prize: call 0800 555 0199 before midnight",
    ),
    (
        "otto",
        "max",
        datetime(2019, 6, 8, 19, 20, tzinfo=UTC),
        "Band practice is at mine tonight, bring the amp",
    ),
    (
        "otto",
        "landlord",
        datetime(2019, 6, 15, 10, 0, tzinfo=UTC),
        "The plumber will come by on Tuesday morning to look at the boiler",
    ),
    (
        "rosa",
        "sam",
        datetime(2019, 7, 2, 18, 45, tzinfo=UTC),
        "Happy birthday Rosa!! Have the best day",
    ),
    (
        "rosa",
        "fanclub",
        datetime(2019, 7, 4, 12, 5, tzinfo=UTC),
        "Check out www.free-concert-tickets.co for FREE tickets, subscribe to our channel to enter",
    ),
    (
        "rosa",
        "library",
        datetime(2019, 7, 9, 10, 20, tzinfo=UTC),
        "The book you reserved is ready for collection",
    ),
    ("sam", "rosa", datetime(2019, 7, 2, 19, 0, tzinfo=UTC), "Thanks! Dinner at eight still ok?"),
    (
        "sam",
        "+447700900999",
        datetime(2019, 8, 14, 8, 30, tzinfo=UTC),
        "Your parcel is held at our depot. Pay the £1.99 fee at www.parcel-redelivery-fee.com",
    ),
]
