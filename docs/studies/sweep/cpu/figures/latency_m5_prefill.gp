set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m5_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2-medium: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 50.9824342 43.0718204 58.893048
0.97 573.927848 551.667079 596.188617
1.97 1113.6514 985.765799 1241.537
EOD
$d1 << EOD
0.03 51.9763402 49.7797635 54.1729169
1.03 375.432058 319.120709 431.743407
2.03 673.6343 624.224574 723.044026
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
