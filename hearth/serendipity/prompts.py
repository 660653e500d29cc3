"""Conversation prompts written for Hearth: icebreakers to start a chat, never an agenda."""

from __future__ import annotations

import random
from collections.abc import Collection

PROMPTS: tuple[str, ...] = (
    "What is something you learned from a patient that no textbook taught you?",
    "Which teacher from your own training do you still quote, and what do you quote?",
    "What do you do on a free Saturday morning when nobody needs you?",
    "What was the first thing you ever wanted to be, long before medicine?",
    "Which corner of the hospital or campus do you like best, and why?",
    "What is a small thing that made this week better than it might have been?",
    "If you could add one hour to every day, what would you spend it on?",
    "What is a book, podcast or show you keep recommending to people?",
    "Who in your life outside work would be surprised by what you do all day?",
    "What is a skill you picked up recently, at work or anywhere else?",
    "What is the best piece of advice you were given and ignored at first?",
    "Where did you grow up, and what do you miss about it?",
    "What would your colleagues be surprised to learn that you are good at?",
    "What is a question you wish people asked you more often?",
    "What did you do the last time you had a whole day off?",
    "Which meal would you cook for a friend who had a very hard week?",
    "What is something in your field that changed your mind in the last few years?",
    "What is a tradition — in your family, team or clinic — that you love?",
    "If you swapped jobs with someone in this program for a day, whose job would you try?",
    "What keeps you curious after a long day?",
    "Which place have you travelled to that you would go back to tomorrow?",
    "What did you want to be good at when you were a student, and are you?",
    "What is one thing you would tell your first-year self?",
    "What is the most interesting thing on your desk or in your bag right now?",
    "Who was the first person who made you feel you belonged in medicine?",
    "What do you do to switch off after a difficult shift or clinic?",
    "What is a hobby you have given up and would like to take up again?",
    "What is a small kindness you saw at work recently?",
    "Which season do you like best where you live, and what do you do in it?",
    "What are you looking forward to in the next month?",
)


def choose_prompt(already_given: Collection[str], rng: random.Random) -> str:
    """A prompt none of the group has had yet, while there are any left."""
    fresh = [prompt for prompt in PROMPTS if prompt not in already_given]
    return rng.choice(fresh or list(PROMPTS))
