"""The bundled demo corpus: fictional outlets, feeds and article pages, served over loopback."""
