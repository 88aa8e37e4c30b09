"""Help and legal pages (/ayuda, /accesibilidad, /privacidad), the contact form and its staff inbox,
and the display modes (high contrast, larger text). docs/help.md describes them."""
