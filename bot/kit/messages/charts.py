"""Messages of the charts feature: the PNG charts threaded under the weekly leaderboard and digest.

The `*_title` keys name the uploaded file in Slack (message text, always in the reader's language);
the other keys are drawn inside the image, in Chinese only when a CJK font is installed.
"""

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "charts_leaderboard_title": "Charts: revenue by rep and the 8-week trend, week of {week}",
        "charts_digest_title": "Charts: pipeline by stage and the 8-week trend, week of {week}",
        "charts_revenue_by_rep": "Revenue won by rep this week ({currency})",
        "charts_pipeline_by_stage": "Open pipeline by stage ({currency})",
        "charts_trend": "Revenue won per week, last 8 weeks ({currency})",
        "charts_week_of": "Week of",
        "charts_nothing_yet": "Nothing won yet",
        "charts_no_pipeline": "No open deals",
        "charts_deals_count": "deals: {count}",
    },
    "zh": {
        "charts_leaderboard_title": "图表：各销售成交额与近 8 周趋势（{week} 当周）",
        "charts_digest_title": "图表：各阶段管道与近 8 周趋势（{week} 当周）",
        "charts_revenue_by_rep": "本周各销售成交额（{currency}）",
        "charts_pipeline_by_stage": "各阶段在途管道（{currency}）",
        "charts_trend": "近 8 周每周成交额（{currency}）",
        "charts_week_of": "周起始日",
        "charts_nothing_yet": "暂无成交",
        "charts_no_pipeline": "暂无在途商机",
        "charts_deals_count": "商机：{count}",
    },
}
