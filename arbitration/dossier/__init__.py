"""The case file (dossier) of a dispute: one signed archive that a court, the police or the
platform can read (``case.pdf``) and check by machine (``case.json``), with every file.

``content`` gathers what the case file says, ``pdf`` lays it out for people, ``archive``
packs and signs it and verifies an archive, and ``services`` is the use case that the
console and the API call (permission, masking, audit row).
"""
