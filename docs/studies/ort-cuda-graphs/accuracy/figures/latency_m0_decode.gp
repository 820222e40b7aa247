set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'batch_medium (4x64)' 1) rotate by -20
set xrange [-0.5:1.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'pydoc-gpt2-8m: decode, tpot_ms'
$d0 << EOD
-0.06 0.374631348 0.352001789 0.397260908
0.94 0.651742723 0.622649919 0.680835526
EOD
$d1 << EOD
0 0.417196606 0.4109 0.423493213
1 0.732060271 0.727767096 0.736353446
EOD
$d2 << EOD
0.06 0.393187781 0.386270689 0.400104872
1.06 0.784692477 0.778641811 0.790743144
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0'
