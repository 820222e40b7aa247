set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m4_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 3.534129 3.39387539 3.67438261
0.97 3.9743402 3.45002562 4.49865478
1.97 4.032684 3.8564567 4.2089113
EOD
$d1 << EOD
0.03 6.2304978 5.87747865 6.58351695
1.03 7.1388376 6.69391102 7.58376418
2.03 6.7110482 6.29142075 7.13067565
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
