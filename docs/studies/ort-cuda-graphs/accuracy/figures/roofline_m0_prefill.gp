set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'batch_medium (4x64)' 1) rotate by -20
set xrange [-0.5:1.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'pydoc-gpt2-8m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 2.44895789 2.37826602 2.51964977
0.94 2.28961011 2.22589025 2.35332996
EOD
$d1 << EOD
0 245.734367 223.549655 267.919078
1 368.849409 300.548671 437.150147
EOD
$d2 << EOD
0.06 164.218469 154.166575 174.270362
1.06 23.8944865 22.3624084 25.4265647
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0'
