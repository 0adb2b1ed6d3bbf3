"""What the session says and when: the voice port, rendering, agendas, stroke pacing."""
