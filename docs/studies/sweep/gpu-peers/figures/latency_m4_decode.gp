set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m4_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2: decode, tpot_ms'
$d0 << EOD
-0.06 0.296113755 0.294787807 0.297439703
0.94 0.301540432 0.299225742 0.303855122
1.94 0.633646284 0.6309275 0.636365068
EOD
$d1 << EOD
0 2.78117634 2.69043454 2.87191813
1 3.24400494 2.52252553 3.96548434
2 3.16629212 3.12711917 3.20546507
EOD
$d2 << EOD
0.06 6.19430968 5.84138251 6.54723686
1.06 6.02913986 5.86890765 6.18937208
2.06 6.9198111 5.45721176 8.38241045
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
