"""Six short interviews with learning-community mentors about meaning in the role, written for
the demo. "{learner}" and "{colleague}" stand for real names from the demo roster, so the
de-identification review has work to do. Each answer lists what the two coders applied:
(words, codes by the first coder, codes by the second), codes by their starter key."""

from __future__ import annotations

Coding = tuple[str, tuple[str, ...], tuple[str, ...]]
Line = tuple[str, str, tuple[Coding, ...]]

INTERVIEWS: list[tuple[str, list[Line]]] = [
    (
        "Interview M01 — Apgar House",
        [
            ("Interviewer", "What has being a house mentor meant to you this year?", ()),
            (
                "M01",
                "Honestly, it keeps me going. After a brutal week on service, an hour with my "
                "group reminds me why I went into medicine. I walk out lighter than I walked in.",
                (
                    (
                        "an hour with my group reminds me why I went into medicine",
                        ("rejuvenated",),
                        ("rejuvenated",),
                    ),
                    ("I walk out lighter than I walked in", ("rejuvenated",), ()),
                ),
            ),
            ("Interviewer", "Can you tell me about a moment that stayed with you?", ()),
            (
                "M01",
                "{learner} came to me in second year ready to quit. We met every two weeks "
                "for a term. She matched into surgery last spring, and I knew I had helped "
                "make that happen.",
                (
                    (
                        "She matched into surgery last spring, and I knew I had helped make "
                        "that happen",
                        ("contributing",),
                        ("contributing",),
                    ),
                ),
            ),
            ("Interviewer", "Has the role changed you as a doctor?", ()),
            (
                "M01",
                "It has. Explaining my reasoning to students every week has made me a more "
                "careful clinician. I slow down and say out loud what I am thinking.",
                (
                    (
                        "Explaining my reasoning to students every week has made me a more "
                        "careful clinician",
                        ("professional",),
                        ("professional",),
                    ),
                ),
            ),
            ("Interviewer", "Is anything hard about it?", ()),
            (
                "M01",
                "The time. None of this counts for promotion, so I do it in the evenings. "
                "Some weeks that is fine; some weeks it is one thing too many.",
                (
                    (
                        "None of this counts for promotion, so I do it in the evenings",
                        ("harmed",),
                        ("harmed",),
                    ),
                ),
            ),
        ],
    ),
    (
        "Interview M02 — Blackwell House",
        [
            ("Interviewer", "What has being a house mentor meant to you?", ()),
            (
                "M02",
                "Belonging, mostly. I trained somewhere else, and for years I did not really "
                "know anyone here outside my division. The house is the one place at work "
                "where I feel I belong.",
                (
                    (
                        "The house is the one place at work where I feel I belong",
                        ("connected",),
                        ("connected",),
                    ),
                ),
            ),
            ("Interviewer", "Who do you feel connected to?", ()),
            (
                "M02",
                "The students, of course, but also the other mentors. {colleague} and I "
                "co-lead the Thursday sessions and we have become friends. We compare notes "
                "over coffee.",
                (
                    (
                        "we have become friends. We compare notes over coffee",
                        ("connected",),
                        ("connected", "professional"),
                    ),
                ),
            ),
            ("Interviewer", "Has anything made you feel valued in the role?", ()),
            (
                "M02",
                "A student asked me to hood her at graduation. I was floored. I still have "
                "the card she wrote.",
                (
                    (
                        "A student asked me to hood her at graduation. I was floored",
                        ("honored",),
                        ("honored",),
                    ),
                ),
            ),
            ("Interviewer", "And the hard parts?", ()),
            (
                "M02",
                "When a learner is struggling you carry it home. Two of mine were in crisis "
                "the same month and I had nothing left for my own family.",
                (
                    (
                        "Two of mine were in crisis the same month and I had nothing left for "
                        "my own family",
                        ("harmed",),
                        ("harmed",),
                    ),
                ),
            ),
        ],
    ),
    (
        "Interview M03 — Drew House",
        [
            ("Interviewer", "Why did you become a mentor?", ()),
            (
                "M03",
                "Someone did it for me. My own mentor in medical school changed the course of "
                "my career, and this is how I pay that forward.",
                (
                    (
                        "this is how I pay that forward",
                        ("contributing",),
                        ("contributing",),
                    ),
                ),
            ),
            ("Interviewer", "What keeps you in the role?", ()),
            (
                "M03",
                "Watching them grow. First years arrive terrified and by the time they leave "
                "they are teaching the new ones. That is the best part of my job, honestly "
                "better than most of my clinical days.",
                (
                    (
                        "First years arrive terrified and by the time they leave they are "
                        "teaching the new ones",
                        ("contributing",),
                        ("contributing",),
                    ),
                    (
                        "That is the best part of my job, honestly better than most of my "
                        "clinical days",
                        ("rejuvenated",),
                        ("contributing",),
                    ),
                ),
            ),
            ("Interviewer", "Does the school recognise the work?", ()),
            (
                "M03",
                "The students do. The institution less so. Last year the dean mentioned the "
                "houses in her address and I admit that meant something to me.",
                (
                    (
                        "the dean mentioned the houses in her address and I admit that meant "
                        "something to me",
                        ("honored",),
                        (),
                    ),
                    ("The institution less so", ("harmed",), ("harmed",)),
                ),
            ),
            ("Interviewer", "Who do you turn to when a session goes badly?", ()),
            (
                "M03",
                "The other Drew mentors. We have a group chat, and after a hard meeting "
                "someone always answers within the hour. I would not have lasted without them.",
                (
                    (
                        "after a hard meeting someone always answers within the hour",
                        ("connected",),
                        ("connected",),
                    ),
                ),
            ),
        ],
    ),
    (
        "Interview M04 — Osler House",
        [
            ("Interviewer", "How has mentoring fitted with the rest of your work?", ()),
            (
                "M04",
                "Badly, some months. I am on service eight weeks a year and the group meets "
                "regardless. I have cancelled more sessions than I would like, and I feel "
                "guilty every time.",
                (
                    (
                        "I have cancelled more sessions than I would like, and I feel guilty "
                        "every time",
                        ("harmed",),
                        ("harmed",),
                    ),
                ),
            ),
            ("Interviewer", "What makes it worth it?", ()),
            (
                "M04",
                "The conversations. Students ask questions nobody else asks me, about doubt "
                "and about what kind of doctor they want to be. It makes me ask myself the "
                "same questions.",
                (
                    (
                        "It makes me ask myself the same questions",
                        ("professional",),
                        ("rejuvenated",),
                    ),
                ),
            ),
            ("Interviewer", "Have you learned anything as a mentor?", ()),
            (
                "M04",
                "How to listen. I used to jump to advice. The training series taught me to "
                "ask first, and I use that with patients now too.",
                (
                    (
                        "The training series taught me to ask first, and I use that with "
                        "patients now too",
                        ("professional",),
                        ("professional",),
                    ),
                ),
            ),
            ("Interviewer", "What would you tell a colleague thinking of joining?", ()),
            (
                "M04",
                "That it will cost evenings, and that nobody counts them. My chair has never "
                "once asked about the house, and it is not in my workload at all.",
                (
                    (
                        "My chair has never once asked about the house, and it is not in my "
                        "workload at all",
                        ("harmed",),
                        ("harmed",),
                    ),
                ),
            ),
        ],
    ),
    (
        "Interview M05 — Apgar House",
        [
            ("Interviewer", "What has the role given you?", ()),
            (
                "M05",
                "Energy. I was close to burning out two years ago. The house gave me "
                "something at work that was about people rather than metrics.",
                (
                    (
                        "I was close to burning out two years ago. The house gave me something "
                        "at work that was about people rather than metrics",
                        ("rejuvenated",),
                        ("rejuvenated",),
                    ),
                ),
            ),
            ("Interviewer", "Is there a learner you think about?", ()),
            (
                "M05",
                "{learner}, who is the first in her family to go to college. She told me I "
                "was the first doctor who treated her like she belonged here. I think about "
                "that a lot.",
                (
                    (
                        "She told me I was the first doctor who treated her like she belonged here",
                        ("honored", "contributing"),
                        ("contributing",),
                    ),
                ),
            ),
            ("Interviewer", "Anything you would change?", ()),
            (
                "M05",
                "More time with the other mentors. We are all doing this alone in our "
                "groups, and I would love to learn from them.",
                (
                    (
                        "We are all doing this alone in our groups, and I would love to learn "
                        "from them",
                        ("connected",),
                        ("harmed",),
                    ),
                ),
            ),
            ("Interviewer", "What do you take back to your clinical work?", ()),
            (
                "M05",
                "Patience, mostly. Watching students find their way has made me a better "
                "teacher on the wards, and my residents have noticed.",
                (
                    (
                        "Watching students find their way has made me a better teacher on the "
                        "wards",
                        ("professional",),
                        ("professional",),
                    ),
                ),
            ),
        ],
    ),
    (
        "Interview M06 — Blackwell House",
        [
            ("Interviewer", "Thank you for making time. What has mentoring meant to you?", ()),
            (
                "M06",
                "A lot more than I expected. {learner} emailed me last week from "
                "{learner_email} to say she passed Step 1, and I was as pleased as if it were "
                "my own exam.",
                (),
            ),
            ("Interviewer", "How do your learners reach you?", ()),
            (
                "M06",
                "Email, or they text my cell, 617-555-0142. I tell them not to hesitate. "
                "{colleague} thinks I am too available, and Dr. Lindqvist in student affairs "
                "agrees with her.",
                (),
            ),
        ],
    ),
]
