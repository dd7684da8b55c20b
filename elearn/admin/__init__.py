"""Administration: academies, people, parent links, class sign-in cards and roster uploads."""
