"""How buyer personal data is shown to merchants: enough to ship, nothing more."""


def mask_phone(phone: str) -> str:
    """``13812341234`` → ``138****1234``; short or empty values are hidden entirely."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "****" if digits else ""
    return f"{digits[:3]}****{digits[-4:]}"
