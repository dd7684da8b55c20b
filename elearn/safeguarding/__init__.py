"""Safeguarding: the policy's report forms and each academy's safeguarding inbox.

Who sends what
    Pupils "tell a trusted adult" (a link on every pupil page). Anyone at an academy reports a
    website seen on its equipment (policy appendix 2). Staff ask for a blocked site to be
    allowed (appendix 1) and record cyberbullying incidents. Staff, and parents or carers,
    report social media contact between staff and pupils or families. Parents and carers
    raise a concern about their own child's safety with the DSL.

Who sees what
    The sender sees that their report arrived, its kind, date and progress, never its words,
    its other fields or its files: whoever holds the sender's password (shared, or reset by
    the school) would see them too. Pupils get a kind "we got it" page. The person who asked
    for a blocked site sees the head teacher's decision and reason, written for them. Nobody
    but the team sees notes or chronology.

    The academy's DSLs and head teacher see every report of their academy. Blocked-site
    requests and contact attempts are the head teacher's to act on (the policy sends them to
    the head); DSLs may read them. Another academy's staff get 404 for any report or file.

    Trust administrators do not see reports at all. Safeguarding records stay with the
    academy whose team is responsible for acting on them; the trust's own escalation route
    (e.g. to the CEO) is recorded in the chronology, not by opening the record to the trust.

Case work
    The academy's DSL or head sets a case's risk level and category, links it to a pupil
    (whose parents and carers the case page then lists), records referrals to the police,
    CEOP, children's social care or the LADO, and sets a follow-up date that brings the case
    back onto their home page (``casework``). Each change is a chronology entry; a wrong
    referral is corrected by a new one, and the wrong one stays on the record.

Records
    Chronology entries are append-only (a correction is a new entry that points at the one it
    corrects); every view, change and download writes an audit entry in the same transaction.
    Notification e-mails say only that a report is waiting. Reporters' accounts are held from
    erasure while their reports exist, and so is anyone a report names by id (see
    ``data_protection``).
"""
