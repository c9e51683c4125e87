"""Topics: communities of the graph, each drawn as its core, and "central but thin" study gaps."""

from __future__ import annotations

import streamlit as st

from ui.markup import md_text
from ui.pages._shared import explorer, follow_click, open_picked, show_graph

follow_click()
ex, _ = explorer()
st.title("Topics", anchor=False)
with st.spinner("Finding topics…"):
    topics = ex.topics
if not topics:
    st.info("Not enough relations to find topics yet.")
    st.stop()

labels = [f"{t.label}  ({len(t.members)})" for t in topics]
try:
    chosen = int(st.query_params.get("topic", 0))
except ValueError:
    chosen = 0
chosen = min(max(chosen, 0), len(topics) - 1)
pick = st.selectbox(f"{len(topics)} topics (Louvain communities, biggest first)", range(len(topics)),
                    index=chosen, format_func=lambda i: labels[i])
if pick != chosen:
    st.query_params["topic"] = str(pick)
topic = topics[pick]

graph_col, side = st.columns([3, 1], gap="large")
with graph_col:
    st.caption(f"The core of “{md_text(topic.label)}”: its most connected concepts; the label terms in dark blue.")
    show_graph(ex.topic_view(topic), ex, key="topic", view=f"topic:{ex.version}:{topic.id}")
    st.caption("Node size: number of relations. Click a concept to open it.")
# Lists of concepts as one widget each (pills), not a link element per concept: the browser draws
# the page before the graph, and some thirty links took longer to draw than the graph itself.
with side:
    st.subheader("Top concepts", anchor=False)
    names = [ex.index.concepts[cid].name for cid in topic.members[:12]]
    st.pills("Top concepts", names, format_func=md_text, key="top_pick", on_change=open_picked, args=("top_pick",),
             label_visibility="collapsed")

st.subheader("Study gaps: central but thin", anchor=False)
st.caption("Concepts many connections run through (high betweenness) that your notes say little about "
           "(fewer passages than most central concepts), most central first: worth a closer read. "
           "Each shows its betweenness, passages and neighbours; pick one to open it.")
with st.spinner("Measuring centrality…"):
    gaps = ex.gaps
if not gaps:
    st.caption("None found.")
gap_labels = {gap.name: f"{gap.name} · {gap.betweenness:.3f} · {gap.passages} · {gap.degree}" for gap in gaps}
st.pills("Study gaps", list(gap_labels), format_func=lambda name: md_text(gap_labels[name]), key="gap_pick",
         on_change=open_picked, args=("gap_pick",), label_visibility="collapsed")
