"""The words a DSL uses about a case: how great the risk, what it is about, who it went to."""

from __future__ import annotations

from enum import StrEnum


class RiskLevel(StrEnum):
    """The DSL's judgement of the risk to the child, highest last."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    IMMEDIATE = "immediate"

    @property
    def label(self) -> str:
        return {
            "low": "Low",
            "medium": "Medium",
            "high": "High",
            "immediate": "Immediate danger",
        }[self.value]


class CaseCategory(StrEnum):
    """What the case is about, as the DSL sees it (the report's kind says how it arrived)."""

    CYBERBULLYING = "cyberbullying"
    SEXUAL_CONTENT = "sexual_content"
    ADULT_CONTACT = "adult_contact"
    HARMFUL_CONTENT = "harmful_content"
    STAFF_CONDUCT = "staff_conduct"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "cyberbullying": "Cyberbullying",
            "sexual_content": "Sexual content or nude image sharing",
            "adult_contact": "Contact from an adult",
            "harmful_content": "Harmful content",
            "staff_conduct": "Staff conduct",
            "other": "Other",
        }[self.value]


class Agency(StrEnum):
    """Who a case can be referred to. Allegations about staff go to the LADO."""

    POLICE = "police"
    CEOP = "ceop"
    SOCIAL_CARE = "social_care"
    LADO = "lado"

    @property
    def label(self) -> str:
        return {
            "police": "Police",
            "ceop": "CEOP (the police's child protection command)",
            "social_care": "Children's social care",
            "lado": "LADO (local authority designated officer)",
        }[self.value]

    @property
    def short_label(self) -> str:
        return {
            "police": "Police",
            "ceop": "CEOP",
            "social_care": "Children's social care",
            "lado": "LADO",
        }[self.value]
