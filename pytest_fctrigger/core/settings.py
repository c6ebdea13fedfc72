"""Values of the plugin's settings that more than one layer names (one table each)."""

from __future__ import annotations

# --fc-loop / ini fc_loop / @pytest.mark.fc(loop=...): what a self-trigger loop does
LOOP_MODES = ("fail", "warn", "allow")
