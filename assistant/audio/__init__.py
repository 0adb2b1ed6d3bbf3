"""Sound in and out: devices, the live stream, mixing, echo removal, earcons."""
