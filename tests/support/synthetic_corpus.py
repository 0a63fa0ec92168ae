"""A small labelled corpus written for the tests, so they pass on a fresh clone.

Ham reads like everyday messages between friends and family; spam mixes the two kinds the real
corpus has, prize-draw SMS and "check out my channel" comments, with their capitals, digits and
links. Every text is composed here from the fragments below; none comes from any real corpus.
"""

import csv
import random
from pathlib import Path

HAM_OPENERS = [
    "hey",
    "hi mum",
    "ok",
    "morning",
    "sorry",
    "hiya",
    "thanks",
    "good news",
    "so",
    "btw",
]
HAM_BODIES = [
    "are we still on for lunch tomorrow",
    "i will be home late tonight, keep some soup for me",
    "can you pick up bread and milk on the way back",
    "the bus is stuck in traffic again",
    "did you finish the report for monday",
    "happy birthday, have a lovely day",
    "see you at the cinema at eight",
    "dad says the garden fence needs fixing",
    "i left my umbrella at your place",
    "the meeting moved to room four",
    "lets go for a walk after dinner",
    "your parcel arrived, i put it in the hall",
    "just landed, taking a taxi now",
    "the kids loved the museum today",
    "remember to water the plants",
    "this song always makes me smile",
    "great video, the drummer is amazing",
    "i laughed so hard at the ending",
]
HAM_CLOSERS = ["", "", " :)", " x", ", love you", ", cheers", "!", " lol", "?"]

SMS_SPAM = [
    "WINNER!! You have won a {prize}. Call {phone} now to claim, T&C apply",
    "URGENT: your mobile number was selected for a {prize}. Txt CLAIM to {short} now",
    "FREE entry into our weekly draw for a {prize}! Txt WIN to {short}, 150p/msg",
    "Congratulations! Claim your {prize} today, call {phone} before midnight",
    "You are awarded a {prize}. To collect call {phone} or visit www.{site}.com",
]
COMMENT_SPAM = [
    "Check out my channel for more videos, subscribe please!! www.{site}.com",
    "Please subscribe to my channel, i upload every day :) check it out",
    "CHECK OUT www.{site}.com to earn money from home, subscribe!!",
    "Hey guys check out my new song on my channel and subscribe",
    "Get free followers at www.{site}.com check it now",
]
PRIZES = ["£1000 cash prize", "holiday for two", "new phone", "£500 voucher", "luxury cruise"]
SITES = ["bestprizes", "myvideos", "earnfast", "topchannel", "freegift"]


def synthetic_messages(count: int = 400, spam_share: float = 0.3, seed: int = 7) -> list[dict]:
    """``count`` labelled messages with ids ``sms20001``..., deterministic for a given seed."""
    rng = random.Random(seed)
    messages = []
    for index in range(count):
        if rng.random() < spam_share:
            template = rng.choice(SMS_SPAM if rng.random() < 0.5 else COMMENT_SPAM)
            text = template.format(
                prize=rng.choice(PRIZES),
                phone=f"0800{rng.randint(100000, 999999)}",
                short=rng.randint(80000, 89999),
                site=rng.choice(SITES),
            )
            if rng.random() < 0.3:
                # Some spam opens like a friendly message before the pitch.
                text = f"{rng.choice(HAM_OPENERS)} {rng.choice(HAM_BODIES)}. {text}"
            label = "spam"
        else:
            opener = rng.choice(HAM_OPENERS)
            body = rng.choice(HAM_BODIES)
            text = f"{opener} {body}{rng.choice(HAM_CLOSERS)}"
            if rng.random() < 0.3:
                text = text.capitalize()
            label = "ham"
        messages.append({"sms_id": f"sms{20001 + index}", "text": text, "label": label})
    return messages


def write_corpus(path: Path, messages: list[dict] | None = None) -> Path:
    """Write a corpus CSV in the project's format; return its path."""
    rows = messages if messages is not None else synthetic_messages()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["sms_id", "text", "label"])
        writer.writeheader()
        writer.writerows(rows)
    return path
