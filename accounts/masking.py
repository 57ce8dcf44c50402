"""How buyer personal data is shown to merchants: enough to ship, nothing more."""

COUNTRY_PREFIXES = ("0086", "86")


def mask_phone(phone: str) -> str:
    """``13812341234`` → ``138****1234``; at least four digits always stay hidden.

    A leading ``+86``/``0086`` is dropped so an international form masks like the local
    one. Numbers of 8–10 digits show only their last four; shorter ones are hidden entirely
    (showing three plus four digits of a seven-digit number would show all of it).
    """
    digits = "".join(ch for ch in phone if ch.isdigit())
    for prefix in COUNTRY_PREFIXES:
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if not digits:
        return ""
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 8:
        return f"****{digits[-4:]}"
    return "****"
